from commsdesk.cli.main import main

main()
