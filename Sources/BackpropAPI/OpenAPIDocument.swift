// The OpenAPI document served at GET /openapi.yaml: the repository's openapi.yaml, embedded in
// the binary at build time (Resources/openapi.yaml links to it), so what is served is exactly the
// file in the repository and the server needs no file next to it at run time.

enum OpenAPIDocument {
    static let bytes: [UInt8] = PackageResources.openapi_yaml
}
