using System.Text.RegularExpressions;

namespace DeployGen.Manifest;

/// <summary>
/// Resolves the manifest's {resource.property} expressions to what they mean inside the cluster: bindings become
/// Service addresses, connection strings are expanded, parameters without a default stay parameters.
/// </summary>
public sealed partial class ExpressionResolver(AspireManifest manifest, Func<string, string, ClusterEndpoint> endpointOf)
{
    private const int MaxDepth = 16;

    public EnvValue Resolve(string expression) => Resolve(expression, 0);

    private EnvValue Resolve(string expression, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ManifestException($"The expression \"{expression}\" refers to itself.");
        }
        var pieces = new List<EnvValue>();
        var at = 0;
        foreach (Match match in Placeholder().Matches(expression))
        {
            pieces.Add(EnvValue.Of(expression[at..match.Index]));
            pieces.Add(ResolvePlaceholder(match.Groups[1].Value, depth));
            at = match.Index + match.Length;
        }
        pieces.Add(EnvValue.Of(expression[at..]));
        return EnvValue.Concat(pieces);
    }

    private EnvValue ResolvePlaceholder(string path, int depth)
    {
        var segments = path.Split('.');
        var name = segments[0];
        var resource = manifest[name];
        return segments[1..] switch
        {
            ["connectionString"] => Resolve(resource.ConnectionString
                ?? throw new ManifestException($"\"{name}\" has no connection string."), depth + 1),
            ["value"] => Resolve(resource.Value ?? throw new ManifestException($"\"{name}\" has no value."), depth + 1),
            ["inputs", var input] => ResolveInput(name, resource, input),
            ["bindings", var binding, var property] => ResolveBinding(name, binding, property),
            _ => throw new ManifestException($"The expression {{{path}}} is not one DeployGen understands."),
        };
    }

    private static EnvValue ResolveInput(string name, ManifestResource resource, string input)
    {
        if (!resource.Inputs.TryGetValue(input, out var definition))
        {
            throw new ManifestException($"\"{name}\" has no input \"{input}\".");
        }
        // A fixed default is configuration; anything else (a secret, a generated password, no default) is the user's
        // to supply at deploy time.
        return !definition.Secret && definition.Default?.Value is { } fixedValue
            ? EnvValue.Of(fixedValue)
            : new EnvValue([new EnvValue.Parameter(name)]);
    }

    private EnvValue ResolveBinding(string name, string binding, string property)
    {
        var endpoint = endpointOf(name, binding);
        return EnvValue.Of(property switch
        {
            "url" => endpoint.Url,
            "host" => endpoint.Host,
            "port" => endpoint.ServicePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "targetPort" => endpoint.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "scheme" => endpoint.Scheme,
            _ => throw new ManifestException($"The binding property \"{property}\" of \"{name}\" is not known."),
        });
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+)+)\}")]
    private static partial Regex Placeholder();
}
