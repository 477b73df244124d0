import threading

from commsdesk.ui.lanes import Lane


def test_results_come_back_on_the_ui_thread_in_order(qtbot):
    lane = Lane("test")
    results, threads = [], []
    ui_thread = threading.get_ident()

    def work(n):
        threads.append(threading.get_ident())
        return n * 2

    for n in range(5):
        lane.submit(work, n, on_done=lambda r: results.append((r, threading.get_ident())))
    qtbot.waitUntil(lambda: len(results) == 5)
    assert [r for r, _ in results] == [0, 2, 4, 6, 8]
    assert {t for _, t in results} == {ui_thread}
    assert ui_thread not in threads
    assert lane.stop()


def test_errors_reach_on_error_or_the_failed_signal(qtbot):
    lane = Lane("test")
    errors = []
    lane.submit(lambda: 1 / 0, on_error=errors.append)
    qtbot.waitUntil(lambda: len(errors) == 1)
    assert isinstance(errors[0], ZeroDivisionError)
    with qtbot.waitSignal(lane.failed) as blocker:
        lane.submit(lambda: (_ for _ in ()).throw(ValueError("OBS gone")))
    assert blocker.args == ["test", "OBS gone"]
    lane.stop()


def test_a_keyed_job_replaces_the_queued_one_with_the_same_key(qtbot):
    lane = Lane("test")
    gate = threading.Event()
    done = []
    lane.submit(gate.wait)  # holds the worker so the next jobs queue up
    for n in range(4):
        lane.submit(lambda n=n: n, key="preview", on_done=done.append)
    gate.set()
    qtbot.waitUntil(lambda: lane.outstanding == 0)
    assert done == [3]
    lane.stop()


def test_an_answer_for_a_widget_deleted_meanwhile_is_dropped(qtbot):
    import shiboken6
    from PySide6.QtWidgets import QComboBox, QWidget

    class Panel(QWidget):
        def __init__(self):
            super().__init__()
            self.people = QComboBox(self)
            self.answers = []

        def show_people(self, people):
            self.people.addItems(people)  # raises RuntimeError once the combo box is gone
            self.answers.append(people)

    lane = Lane("test")
    gate = threading.Event()
    alive, closed = Panel(), Panel()
    lane.submit(gate.wait)
    lane.submit(lambda: ["Ana"], on_done=alive.show_people)
    lane.submit(lambda: ["Sam"], on_done=closed.show_people, on_error=closed.show_people)
    shiboken6.delete(closed)  # the panel closes while its answer is on the way
    gate.set()
    qtbot.waitUntil(lambda: lane.outstanding == 0)
    assert alive.answers == [["Ana"]]
    lane.stop()


def test_a_lambda_or_partial_answer_for_a_widget_deleted_meanwhile_is_dropped(qtbot):
    import functools

    import shiboken6
    from PySide6.QtWidgets import QComboBox, QWidget

    seen = []

    class Panel(QWidget):
        def __init__(self):
            super().__init__()
            self.people = QComboBox(self)

        def ask(self, lane, newest):
            lane.submit(lambda: ["Ana"], on_done=lambda found: self.arrived(newest, found))
            lane.submit(lambda: ["Sam"], on_done=functools.partial(self.arrived, newest))

        def arrived(self, newest, found):
            self.people.addItems(found)  # raises RuntimeError once the panel is gone
            seen.append((newest, found))

    lane = Lane("test")
    gate = threading.Event()
    lane.submit(gate.wait)
    closed, open_ = Panel(), Panel()
    closed.ask(lane, 1)
    open_.ask(lane, 2)
    shiboken6.delete(closed)
    gate.set()
    qtbot.waitUntil(lambda: lane.outstanding == 0)
    assert seen == [(2, ["Ana"]), (2, ["Sam"])]
    lane.stop()
