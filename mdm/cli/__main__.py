from mdm.cli import main

main()
