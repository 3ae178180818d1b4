using TcpActors.Cli;

Interruption.Install();
return Commands.Run(args, Console.Out, Console.Error);
