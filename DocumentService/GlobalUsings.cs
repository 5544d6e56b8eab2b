global using DocumentService.Extensions;
