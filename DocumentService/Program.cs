using DocumentService.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapDocumentsApi();
app.MapKnowledgeApi();
app.MapFilesApi();
app.MapVectorStoresApi();
app.MapVectorStoreFilesApi();
app.MapVectorStoreSearchApi();
app.MapEmbeddingsApi();

app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
