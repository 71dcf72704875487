// The playground's files, embedded in the binary at build time from page/ (Package.swift,
// `.embedInCode`), so the server needs nothing beside it at run time. Not the serving: the
// headers and routes are BackpropAPI's (StaticFiles.swift).

public enum PlaygroundFiles {
    /// The page itself, served at `/`.
    public static let index: [UInt8] = PackageResources.index_html

    /// The files served under `/playground/`, by name. A new file in page/ is listed here too
    /// (a test checks that the two agree, and openapi.yaml's list of names).
    public static let files: [String: [UInt8]] = [
        "playground.css": PackageResources.playground_css,
        "icon.svg": PackageResources.icon_svg,
        "app.js": PackageResources.app_js,
        "api.js": PackageResources.api_js,
        "model.js": PackageResources.model_js,
        "format.js": PackageResources.format_js,
        "diagram.js": PackageResources.diagram_js,
        "explain.js": PackageResources.explain_js,
        "losscurve.js": PackageResources.losscurve_js,
        "heatmap.js": PackageResources.heatmap_js,
        "datasets.js": PackageResources.datasets_js,
        "controls.js": PackageResources.controls_js,
        "share.js": PackageResources.share_js,
        "view.js": PackageResources.view_js,
        "shape.js": PackageResources.shape_js,
        "settings.js": PackageResources.settings_js,
    ]
}
