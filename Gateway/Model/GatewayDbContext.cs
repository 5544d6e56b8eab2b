using Microsoft.EntityFrameworkCore;

namespace Gateway.Model;

public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
}
