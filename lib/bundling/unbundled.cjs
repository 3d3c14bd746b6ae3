// Stands in, inside the Lambda bundles, for packages that MJML imports but calls only for options we
// never use (juice: inline <mj-style>; htmlnano, cssnano-preset-lite: minify; js-beautify: beautify).
// Leaving them out keeps the PublishArchive bundle under 1 MiB; a call says so instead of misbehaving.
'use strict';
function unbundled() {
  throw new Error('kernel-news: this MJML feature (inline styles, minify or beautify) is not bundled in the Lambda functions; see lib/constructs/stage-function.ts ALIASES');
}
unbundled.process = unbundled;
unbundled.html = unbundled;
unbundled.codeBlocks = {};
module.exports = unbundled;
