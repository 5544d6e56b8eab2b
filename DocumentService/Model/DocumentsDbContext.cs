using Microsoft.EntityFrameworkCore;

namespace DocumentService.Model;

public sealed class DocumentsDbContext(DbContextOptions<DocumentsDbContext> options) : DbContext(options)
{
}
