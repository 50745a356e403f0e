# testbed/vulnerable:1 — Debian + the authored package Trivy's authored DB flags.
ARG BASE
FROM ${BASE}
COPY *.deb /tmp/
RUN dpkg -i /tmp/*.deb && rm /tmp/*.deb
