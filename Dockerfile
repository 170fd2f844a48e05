# The podcast graph server as a container image: a static binary on
# distroless (no shell, CA certificates for feeds and OTLP), run as the
# unprivileged user 65532, the store in the volume /var/lib/podcastgraph,
# the seed pages baked in at /usr/share/podcastgraph/seeds (mount your own
# there, or set PODCAST_SEEDS). deploy/README.md says how to build and run
# it; the root TestDockerfileRunsAsWritten runs the binary as this file does.
#
#   docker build -t podcastgraph .
#   docker run -p 8080:8080 -v podcast-data:/var/lib/podcastgraph podcastgraph

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/podcastgraph . \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/podcastgraph /usr/local/bin/podcastgraph
COPY --from=build /src/seeds /usr/share/podcastgraph/seeds
COPY --from=build --chown=65532:65532 /out/data /var/lib/podcastgraph
ENV PODCAST_ADDR=:8080 \
    PODCAST_DB=/var/lib/podcastgraph/podcast.db \
    PODCAST_SEEDS=/usr/share/podcastgraph/seeds
USER 65532:65532
VOLUME /var/lib/podcastgraph
EXPOSE 8080
# Ready once the store is open and the start-up ingest is done: a large
# seed directory takes a while, hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=2m --retries=3 \
  CMD ["/usr/local/bin/podcastgraph", "probe", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["/usr/local/bin/podcastgraph"]
CMD ["serve"]
