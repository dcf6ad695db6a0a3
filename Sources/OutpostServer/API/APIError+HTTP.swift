import OutpostHTTP
import OutpostJSON
import OutpostModel

extension APIError: HTTPResponseError {
    public var status: HTTPStatus { HTTPStatus(code: statusCode) }
    public var errorCode: String { body.code }
    public var errorMessage: String { body.message }

    /// The JSON error response, with details and the protocol header.
    public func makeResponse() -> HTTPResponse {
        .json(status: status, bytes: body.jsonValue.serializedBytes(),
              headers: [SyncProtocol.versionHeader: String(SyncProtocol.currentVersion)])
    }
}
