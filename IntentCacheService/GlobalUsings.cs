global using IntentCacheService.Extensions;
