# testbed/golang:1 — Debian + the machine's Go toolchain (the build context is GOROOT).
ARG BASE
FROM ${BASE}
COPY . /usr/local/go
# Offline by design: no module proxy, no toolchain downloads, no cgo (no gcc in minbase).
ENV PATH=/usr/local/go/bin:/root/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GOTOOLCHAIN=local \
    GOPROXY=off \
    CGO_ENABLED=0
RUN go version
