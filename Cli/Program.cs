Console.WriteLine("tcpactors: under construction");
