using Cli;

return await ChatbotCli.RunAsync(args, new CliHost(Terminal.FromProcess(), Environment.GetEnvironmentVariable, TimeProvider.System));
