from speedlens.cli import main

raise SystemExit(main())
