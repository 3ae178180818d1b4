using TcpActors.Cli;

return Commands.Run(args, Console.Out, Console.Error);
