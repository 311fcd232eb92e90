package notes

import (
	"bytes"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// overflowCells keeps the cells of a table row beyond the header's
// columns, which GitHub-flavoured Markdown ignores: their text, pipes
// included, is appended to the row's last cell, so no text of the notes
// is dropped.
type overflowCells struct{}

// Transform implements parser.ASTTransformer.
func (overflowCells) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || n.Kind() != east.KindTableRow {
			return ast.WalkContinue, nil
		}
		last := n.LastChild()
		if last == nil || last.Lines().Len() == 0 {
			return ast.WalkSkipChildren, nil
		}
		stop := last.Lines().At(0).Stop
		end := len(src)
		if i := bytes.IndexByte(src[stop:], '\n'); i >= 0 {
			end = stop + i
		}
		rest := text.NewSegment(stop, end)
		rest = rest.TrimRightSpace(src)
		if v := bytes.TrimSpace(rest.Value(src)); len(v) > 0 && !bytes.Equal(v, []byte("|")) {
			last.AppendChild(last, ast.NewTextSegment(rest))
		}
		return ast.WalkSkipChildren, nil
	})
}
