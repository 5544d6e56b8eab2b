using System.Runtime.InteropServices;

namespace DocumentService.Services.Retrieval;

/// <summary>Embeddings are stored as raw little-endian float32s: compact and read back without parsing.</summary>
public static class EmbeddingBytes
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] ToFloats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}
