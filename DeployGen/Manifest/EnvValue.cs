namespace DeployGen.Manifest;

/// <summary>
/// A configuration value as the cluster will see it: literal text, possibly with parameters the user supplies at deploy
/// time (their values live in a Secret, never in the committed tree).
/// </summary>
public sealed record EnvValue(IReadOnlyList<EnvValue.Part> Parts)
{
    public abstract record Part;
    public sealed record Literal(string Text) : Part;
    public sealed record Parameter(string Name) : Part;

    public static EnvValue Of(string text) => new([new Literal(text)]);

    public bool NeedsParameters => Parts.Any(p => p is Parameter);

    public IEnumerable<string> ParameterNames => Parts.OfType<Parameter>().Select(p => p.Name).Distinct();

    /// <summary>The whole value is exactly one parameter (so it can be read straight from the Secret).</summary>
    public string? SoleParameter => Parts is [Parameter only] ? only.Name : null;

    public string LiteralText => NeedsParameters
        ? throw new InvalidOperationException("The value needs parameters; use ToKubernetesExpansion.")
        : string.Concat(Parts.Cast<Literal>().Select(l => l.Text));

    /// <summary>
    /// The value for a container's env entry, where Kubernetes expands $(NAME) from variables defined before it and
    /// reads $$ as a literal dollar.
    /// </summary>
    public string ToKubernetesExpansion(Func<string, string> variableOf) => string.Concat(Parts.Select(p => p switch
    {
        Literal l => l.Text.Replace("$", "$$"),
        Parameter q => $"$({variableOf(q.Name)})",
        _ => throw new InvalidOperationException(),
    }));

    public static EnvValue Concat(IEnumerable<EnvValue> values)
    {
        var parts = new List<Part>();
        foreach (var part in values.SelectMany(v => v.Parts))
        {
            // Adjacent literals merge and empty ones drop, so that "{param}" alone is seen as exactly one parameter.
            if (part is Literal next && parts.Count > 0 && parts[^1] is Literal previous)
            {
                parts[^1] = new Literal(previous.Text + next.Text);
            }
            else if (part is not Literal { Text.Length: 0 })
            {
                parts.Add(part);
            }
        }
        return new EnvValue(parts);
    }
}
