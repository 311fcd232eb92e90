package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// ensurePad creates the pad through the admin API of the server at base
// (POST /api/v1/pads) unless it exists already.
func ensurePad(ctx context.Context, base, pad, token string) error {
	body, err := json.Marshal(map[string]string{"id": pad, "title": "Load test " + pad})
	if err != nil {
		return fmt.Errorf("create pad %q: %w", pad, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/pads", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("create pad %q: %w", pad, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("create pad %q: %w", pad, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusConflict:
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	return fmt.Errorf("create pad %q: %s: %s", pad, resp.Status, bytes.TrimSpace(msg))
}
