// ServerMetrics rendered in Prometheus' text exposition format, version 0.0.4: `# HELP` and
// `# TYPE` lines, then one sample per line, histograms as cumulative `_bucket{le=…}` series with
// `_sum` and `_count`. The names follow the contract (api-contract.md, "GET /metrics"); the
// duration histogram follows OpenTelemetry's HTTP server semantic conventions.

extension ServerMetrics {
    /// The media type of `prometheusText()`.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Every metric, now, as Prometheus text.
    public func prometheusText() -> [UInt8] {
        var out = ""
        out.reserveCapacity(4096)

        family(&out, "http_server_request_duration_seconds", "histogram",
               "Time from a request's first line to its response being queued, by route, method and status.")
        for (key, histogram) in durationSeries() {
            let labels = "http_route=\"\(escaped(key.route))\",http_request_method=\"\(key.method)\","
                + "http_response_status_code=\"\(key.status)\""
            var cumulative = 0
            for (index, bound) in Self.durationBuckets.enumerated() {
                cumulative += histogram.counts[index]
                out += "http_server_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "http_server_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            out += "http_server_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            out += "http_server_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
        }

        gauge(&out, "backprop_requests_in_flight",
              "Requests between their first line and their answer, uploads, waits and this scrape included.",
              inFlight.load(ordering: .relaxed))
        gauge(&out, "backprop_requests_queued", "Requests waiting for memory or for a worker.",
              queued.load(ordering: .relaxed))
        family(&out, "backprop_requests_rejected_total", "counter",
               "Requests refused before their body was read or their computation ran: 503 by reason, 413 as body_too_large; uploads closed for falling behind their pace as upload_too_slow.")
        for (reason, count) in rejectionCounts() {
            out += "backprop_requests_rejected_total{reason=\"\(reason)\"} \(count)\n"
        }
        family(&out, "backprop_requests_abandoned_total", "counter",
               "Requests whose client left while they waited or were computed; a waiting one is not computed.")
        out += "backprop_requests_abandoned_total \(abandoned.load(ordering: .relaxed))\n"
        gauge(&out, "backprop_memory_budget_bytes", "The memory budget for requests (--max-memory).",
              memoryBudgetBytes)
        gauge(&out, "backprop_memory_reserved_bytes", "Bytes reserved against the budget by requests now.",
              reservedBytes.load(ordering: .relaxed))
        gauge(&out, "backprop_workers", "Worker threads for computations (--workers).", workers)
        gauge(&out, "backprop_workers_busy", "Workers computing now.", busyWorkers.load(ordering: .relaxed))
        gauge(&out, "process_resident_memory_bytes", "Resident memory of the process, from /proc/self/statm.",
              ProcessMemory.residentBytes() ?? 0)
        return Array(out.utf8)
    }

    private func family(_ out: inout String, _ name: String, _ type: String, _ help: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private func gauge(_ out: inout String, _ name: String, _ help: String, _ value: Int) {
        family(&out, name, "gauge", help)
        out += "\(name) \(value)\n"
    }

    /// A label value as the format wants it: backslash, double quote and newline escaped.
    private func escaped(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
