using Mote.Cli;

// Program.cs only composes; commands live in Commands/.
return await MoteCommand.Build(Console.In, Console.Out, Console.Error).Parse(args).InvokeAsync().ConfigureAwait(false);
