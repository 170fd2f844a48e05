package playground

import "testing"

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   bool
	}{
		{"none", nil, false},
		{"empty", []string{""}, false},
		{"gzip", []string{"gzip"}, true},
		{"browser", []string{"gzip, deflate, br, zstd"}, true},
		{"case and spaces", []string{" GZip ;Q=0.5"}, true},
		{"second header", []string{"br", "gzip"}, true},
		{"x-gzip", []string{"x-gzip"}, true},
		{"identity only", []string{"identity"}, false},
		{"refused", []string{"gzip;q=0"}, false},
		{"refused with zeros", []string{"gzip;q=0.000"}, false},
		{"star", []string{"*"}, true},
		{"star refused", []string{"*;q=0"}, false},
		{"gzip refused beats star", []string{"gzip;q=0, *"}, false},
		{"bad q", []string{"gzip;q=x"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := acceptsGzip(tt.values); got != tt.want {
				t.Errorf("acceptsGzip(%q) = %v, want %v", tt.values, got, tt.want)
			}
		})
	}
}

func TestContentType(t *testing.T) {
	tests := map[string]string{
		"a/b.js":                      "text/javascript; charset=utf-8",
		"a/b.min.css":                 "text/css; charset=utf-8",
		"a/LICENSE":                   "text/plain; charset=utf-8",
		"a/LICENSE.graphiql-explorer": "text/plain; charset=utf-8",
		"VERSIONS":                    "text/plain; charset=utf-8",
	}
	for name, want := range tests {
		if got := contentType(name); got != want {
			t.Errorf("contentType(%q) = %q, want %q", name, got, want)
		}
	}
}
