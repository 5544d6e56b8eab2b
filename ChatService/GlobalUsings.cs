global using ChatService.Extensions;
