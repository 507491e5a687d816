// Module resolution hook for the face-api reference scripts (registered by them, never used alone).
// face-api's `dist/face-api.esm-nobundle.js` imports `@tensorflow/<pkg>/dist/index.js` as bare
// specifiers. Two things stop Node from loading those as they are: the extracted face-api package
// lives outside this folder (a temp or cache directory), so Node would search for them next to it;
// and TensorFlow.js's `dist/index.js` ES builds use extension-less relative imports that only a
// bundler accepts. So every `@tensorflow/*` specifier is resolved from this folder's node_modules,
// and `@tensorflow/<pkg>/dist/index.js` is mapped to the package's Node (CommonJS) build, whose
// named exports Node detects. face-api thus runs on exactly the TensorFlow.js pinned in package.json.
const referenceDir = new URL('./', import.meta.url).href;
const esmEntry = /^(@tensorflow\/[^/]+)\/dist\/index\.js$/;

export async function resolve(specifier, context, nextResolve) {
  if (specifier.startsWith('@tensorflow/')) {
    const match = esmEntry.exec(specifier);
    const target = match ? match[1] : specifier;
    return nextResolve(target, { ...context, parentURL: referenceDir });
  }
  return nextResolve(specifier, context);
}

// face-api's package.json declares no "type", so Node would first try the ES bundle as CommonJS,
// fail, warn on stderr and re-parse it; declaring the format up front avoids both.
export async function load(url, context, nextLoad) {
  if (url.endsWith('/dist/face-api.esm-nobundle.js')) {
    return nextLoad(url, { ...context, format: 'module' });
  }
  return nextLoad(url, context);
}
