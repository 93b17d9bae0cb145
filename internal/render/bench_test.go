package render

import (
	"testing"

	"gomailcgi/internal/testing/fixtures"
)

// BenchmarkRender10000Parts renders a message with 10,000 parts (1,000
// listed, the rest counted).
func BenchmarkRender10000Parts(b *testing.B) {
	raw := manyParts(10000)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		viewOf(raw, Options{})
	}
}

// BenchmarkRenderHTML renders the hostile HTML fixture.
func BenchmarkRenderHTML(b *testing.B) {
	raw := fixtures.Hostile(b, "hostile-html.eml")
	b.ReportAllocs()
	for b.Loop() {
		viewOf(raw, Options{CIDURL: testCIDURL})
	}
}

// BenchmarkRenderPathological renders each input of TestPathologicalInputs.
func BenchmarkRenderPathological(b *testing.B) {
	for _, tc := range pathologicalInputs() {
		b.Run(tc.name, func(b *testing.B) {
			raw := []byte(tc.raw)
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				viewOf(raw, Options{CIDURL: testCIDURL})
			}
		})
	}
}
