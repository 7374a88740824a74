import sys

from stream.devtools.kafka_local.cli import main

sys.exit(main())
