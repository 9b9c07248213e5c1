from tui_reader.entry import main

raise SystemExit(main())
