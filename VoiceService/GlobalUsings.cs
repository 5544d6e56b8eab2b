global using VoiceService.Extensions;
global using VoiceService.Model;
