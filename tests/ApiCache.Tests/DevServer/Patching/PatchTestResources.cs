using System.Text;
using System.Text.Json.Nodes;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Patching;
using ApiCache.DevServer.Resources;
using ApiCache.Serving;

namespace ApiCache.Tests.DevServer.Patching;

/// <summary>Resources and small helpers shared by the patch tests.</summary>
internal static class PatchTestResources
{
    private static readonly ResourceCatalog Catalog = new([new ExtraResourceOptions { Group = "example.com", Resource = "widgets", Kind = "Widget" }]);

    public static ResourceDefinition Pods => Catalog.Find("", "v1", "pods")!;

    public static ResourceDefinition ConfigMaps => Catalog.Find("", "v1", "configmaps")!;

    public static ResourceDefinition Deployments => Catalog.Find("apps", "v1", "deployments")!;

    public static ResourceDefinition Nodes => Catalog.Find("", "v1", "nodes")!;

    public static ResourceDefinition Widgets => Catalog.Find("example.com", "v1", "widgets")!;

    /// <summary>Parses a JSON object literal.</summary>
    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>Applies a patch given as text and returns the compact result.</summary>
    public static string Patch(PatchType type, ResourceDefinition resource, string original, string patch, string? fieldValidation = null) =>
        PatchApplier.Apply(type, resource, Obj(original), Encoding.UTF8.GetBytes(patch), fieldValidation).ToJsonString();

    /// <summary>Applies a patch that must fail and returns the exception.</summary>
    public static PatchException Fails(PatchType type, ResourceDefinition resource, string original, string patch, string? fieldValidation = null) =>
        Assert.Throws<PatchException>(() => PatchApplier.Apply(type, resource, Obj(original), Encoding.UTF8.GetBytes(patch), fieldValidation));

    /// <summary>The Status body the apiserver would write for the exception.</summary>
    public static string StatusBody(PatchException exception) => Encoding.UTF8.GetString(StatusWriter.ToBytes(exception.Status));
}
