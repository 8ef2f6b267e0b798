"""Static file storage of the deployments: WhiteNoise's compressed manifest storage,
with the page scripts' ES module imports rewritten to the hashed file names.

The page scripts (nominations/form.js, judging/scoring.js) import the shared
modules of competition/static/common/ by relative URL. Without the rewrite a
hashed page script would load the unhashed shared modules, which are cached
for a short time only and could mix with an older page script after a
deployment; with it, each import names the exact version it was built with
(Django's ``support_js_module_import_aggregation``).
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
