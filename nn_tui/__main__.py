from nn_tui.cli import main

raise SystemExit(main())
