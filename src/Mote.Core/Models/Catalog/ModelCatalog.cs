using Mote.Core.Models.FaceApi;
using Mote.Core.Models.Faceplugin;
using Mote.Core.Models.HumanModels;

namespace Mote.Core.Models.Catalog;

/// <summary>
/// The recipes of the pinned model pack. It sits above the recipe namespaces (which build on <see cref="IModelRecipe"/>
/// and <see cref="ModelPackProvisioner"/>) so that the provisioner itself knows no recipe.
/// </summary>
public static class ModelCatalog
{
    /// <summary>
    /// The pinned pack: face-api's dlib ResNet descriptor and 68-point landmark net, human-models' graphs, and
    /// faceplugin's recognition model.
    /// </summary>
    public static IReadOnlyList<IModelRecipe> DefaultRecipes() =>
        [new FaceRecognitionRecipe(), new FaceLandmark68Recipe(), .. HumanGraphRecipes.All, new FacepluginRecognitionRecipe()];

    /// <summary>A provisioner for <see cref="DefaultRecipes"/>.</summary>
    public static ModelPackProvisioner CreateProvisioner(ModelPackOptions options) => new(options, DefaultRecipes());
}
