package cluster_test

import (
	"testing"

	"github.com/confpad/confpad/cluster"
	"github.com/confpad/confpad/cluster/bustest"
)

func TestMemoryBus(t *testing.T) {
	bustest.Run(t, func(t *testing.T) (a, b cluster.Bus) {
		bus := cluster.NewMemoryBus()
		return bus, bus
	})
}
