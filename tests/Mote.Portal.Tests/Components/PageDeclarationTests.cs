using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Mote.Gallery.Security;
using Mote.Portal.Components;

namespace Mote.Portal.Tests.Components;

public sealed class PageDeclarationTests
{
    private static IEnumerable<Type> Pages() =>
        typeof(App).Assembly.GetTypes().Where(t => t.GetCustomAttributes<RouteAttribute>().Any());

    [Fact]
    public void EveryPage_DeclaresItsAuthorization()
    {
        var undeclared = Pages()
            .Where(t => t.GetCustomAttribute<AuthorizeAttribute>() is null && t.GetCustomAttribute<AllowAnonymousAttribute>() is null)
            .Select(t => t.FullName)
            .ToArray();

        Assert.True(Pages().Count() >= 10, "Expected the product pages to be found by reflection.");
        Assert.Empty(undeclared);
    }

    [Fact]
    public void EveryPolicyUsedByAPage_IsAPermission()
    {
        var permissions = Enum.GetNames<Permission>();
        var unknown = Pages()
            .Select(t => t.GetCustomAttribute<AuthorizeAttribute>()?.Policy)
            .Where(p => p is not null && !permissions.Contains(p))
            .ToArray();

        Assert.Empty(unknown);
    }

    [Fact]
    public void AnonymousPages_AreOnlyTheAccountAndErrorPages()
    {
        var anonymous = Pages()
            .Where(t => t.GetCustomAttribute<AllowAnonymousAttribute>() is not null)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .Order(StringComparer.Ordinal)
            .ToArray();

        // /account/reset-password: the one-time link of ADR 0011, like /setup. /account/login-code: the second sign-in
        // step (ADR 0013), before which no session exists.
        Assert.Equal(["/account/access-denied", "/account/login", "/account/login-code", "/account/reset-password", "/error", "/not-found", "/setup"], anonymous);
    }
}
