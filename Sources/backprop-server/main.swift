// backprop-server: parse flags and environment, serve until SIGTERM/SIGINT, drain, exit 0.
// All of it is in ServerCommand.swift; this file only runs it.

ServerCommand.main()
