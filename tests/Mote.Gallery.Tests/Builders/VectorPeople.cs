using Mote.Core.Templates;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// Test-data builder: people whose stored template is a 128-d vector (a unit axis), encrypted for them as enrollment stores
/// one, on a dlib-resnet identity with a made-up hash; enough for the 1:N index's bookkeeping without training anyone.
/// </summary>
internal static class VectorPeople
{
    public static readonly BackboneIdentity Backbone = new("dlib-resnet", new string('a', 64));

    /// <summary>The unit vector along axis <paramref name="i"/> of 128.</summary>
    public static float[] Axis(int i)
    {
        var v = new float[128];
        v[i] = 1;
        return v;
    }

    /// <summary>A person named <paramref name="name"/> with <paramref name="descriptor"/> as template, enrolled <paramref name="order"/> minutes after 2026-01-01 09:00 UTC.</summary>
    public static Person Build(string name, TemplateProtector protector, float[] descriptor, int order)
    {
        var person = PersonRows.Build(name);
        person.TemplateKind = TemplateKind.Vector;
        person.BackboneHash = Backbone.Sha256Hex;
        person.Threshold = 0.5f;
        person.EnrolledUtc = new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero).AddMinutes(order);
        person.TemplateBlob = protector.Protect(person.Id, PersonRowMapper.VectorTemplatePurpose, System.Runtime.InteropServices.MemoryMarshal.AsBytes(descriptor.AsSpan()));
        return person;
    }
}
