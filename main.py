import sys

from commsdesk.app import main

sys.exit(main())
