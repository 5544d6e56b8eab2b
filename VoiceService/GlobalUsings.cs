global using VoiceService.Extensions;
