namespace DeployGen.Kubernetes;

/// <summary>Names shared by the generated objects and the kustomizations that generate or patch them.</summary>
public static class Names
{
    /// <summary>The Secret of deploy-time parameters, generated from the env file the user writes (never committed).</summary>
    public const string ParametersSecret = "parameters";

    public static string Config(string service) => $"{service}-config";

    /// <summary>The variable a container reads a parameter into, in Aspire's configuration shape (Parameters:name).</summary>
    public static string ParameterVariable(string parameter) => $"Parameters__{parameter}";
}
