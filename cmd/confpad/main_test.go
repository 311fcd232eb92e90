package main

import (
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // "" for nil
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate" (commands: backup, check, export, migrate, serve, version)`},
		{"help of the default command", []string{"-h"}, ""},
		{"help of serve", []string{"serve", "-h"}, ""},
		{"bad flag reaches serve", []string{"serve", "--log-format=xml"}, `invalid value "xml" for flag -log-format: want text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := run(t.Context(), tt.args, noEnv)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("error = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
