using ChatService.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapAssistantsApi();
app.MapThreadsApi();
app.MapRunsApi();
app.MapRunStepsApi();
app.MapChatCompletionsApi();
app.MapChannelChatsApi();
app.MapResponsesApi();
app.MapResponseCompactionApi();
app.MapConversationsApi();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
