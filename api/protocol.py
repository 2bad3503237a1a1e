"""The HTTP/1.1 protocol `specrag serve` runs: uvicorn's httptools one, with two changes a
user of curl notices.

- A request target with raw UTF-8 (`curl "http://127.0.0.1:8000/v1/cars?q=奇骏"`: curl sends
  the query's bytes as typed) is read as its percent-encoding, as a browser would have sent
  it: httptools (llhttp) and h11 both refuse a byte over 0x7F in a target with a plain-text
  400, where nginx and the other servers in front of most services let it through.
- A request the parser still refuses answers in specrag's one error shape (JSON), naming
  what was wrong, instead of uvicorn's plain text.

Only the request line is touched: header values and bodies pass through byte for byte.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.errors import error_body

BAD_REQUEST = (
    "the request is not valid HTTP/1.1: its request line or headers could not be read "
    "(a URL's spaces and control characters must be percent-encoded; curl -G "
    "--data-urlencode 'q=…' does it)"
)


def percent_encoded(line: bytes) -> bytes:
    """`line` with every byte over 0x7F as %XX (UTF-8 text as a browser encodes it)."""
    if line.isascii():
        return line
    return b"".join(b"%%%02X" % byte if byte > 0x7F else bytes([byte]) for byte in line)


class SpecragHttp(HttpToolsProtocol):
    """uvicorn's httptools protocol; raw UTF-8 in a request line is percent-encoded before
    the parser sees it, and a refused request gets a JSON 400.

    The parser consumes every byte it is fed, so whether the next bytes continue a request
    line is known: a line starts the connection and follows a complete message, and ends at
    its newline. (A request pipelined behind another in one read is parsed as it came.)"""

    _in_request_line = True

    def data_received(self, data: bytes) -> None:
        if self._in_request_line:
            end = data.find(b"\n")
            if end < 0:  # the line goes on in the next read
                data = percent_encoded(data)
            else:
                data = percent_encoded(data[:end]) + data[end:]
                self._in_request_line = False
        super().data_received(data)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._in_request_line = False  # a pipelined request's line ended in an earlier read
        super().on_header(name, value)

    def on_message_complete(self) -> None:
        self._in_request_line = True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        body = json.dumps(error_body("bad_request", BAD_REQUEST)).encode()
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        head += [
            name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers
        ]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
