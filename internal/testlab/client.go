package testlab

import (
	"fmt"

	"github.com/supvisors/terraform-provider-supvisors/internal/supvisors"
)

// Client returns a client of instance i (0-based) with the lab credentials and InstanceURLs covering every
// instance (by identifier and nickname). Each mod may change the configuration first (e.g. the URL to
// SocketURL(i), or timeouts). It panics when the configuration is invalid, which only a mod can cause.
func (c *Cluster) Client(i int, mod ...func(*supvisors.Config)) *supvisors.Client {
	cfg := supvisors.Config{
		URL:          c.URL(i),
		Username:     c.Username(),
		Password:     c.Password(),
		InstanceURLs: c.InstanceURLs(),
	}
	for _, m := range mod {
		m(&cfg)
	}
	cl, err := supvisors.New(cfg)
	if err != nil {
		panic(fmt.Sprintf("testlab: Client(%d): %v", i, err))
	}
	return cl
}
