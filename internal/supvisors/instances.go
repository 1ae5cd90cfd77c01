package supvisors

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// ErrUnknownInstance is wrapped by the error of Instance for an identifier or
// nickname that the cluster does not know.
var ErrUnknownInstance = errors.New("unknown Supvisors instance")

// Instances returns every instance the cluster knows (get_all_instances_info).
func (c *Client) Instances(ctx context.Context) ([]InstanceInfo, error) {
	return c.GetAllInstancesInfo(ctx)
}

// Instance returns a client of one instance, designated by its identifier
// ("host:port") or nickname, for the local-only methods (UpdateNumprocs,
// Enable, Disable, StartArgs, GetLocalProcessInfo, supervisor.*). Its URL is
// Config.InstanceURLs[identifier or nickname] when set, else
// http(s)://node_name:port from get_all_instances_info (the scheme of this
// client; http when this client uses a unix socket). It has the same
// credentials and timeouts, shares the HTTP transport, the request counter and
// the snapshot invalidation with this client, and is cached.
func (c *Client) Instance(ctx context.Context, identifier string) (*Client, error) {
	c.instMu.Lock()
	ic, ok := c.instances[identifier]
	c.instMu.Unlock()
	if ok {
		return ic, nil
	}
	if u, ok := c.cfg.InstanceURLs[identifier]; ok {
		return c.derive(u, identifier)
	}
	infos, err := c.GetAllInstancesInfo(ctx)
	if err != nil {
		return nil, err
	}
	info, err := c.findInstance(infos, identifier)
	if err != nil {
		return nil, err
	}
	u, ok := c.cfg.InstanceURLs[info.Identifier]
	if !ok {
		u, ok = c.cfg.InstanceURLs[info.NickIdentifier]
	}
	if !ok {
		if u, err = c.instanceURL(info); err != nil {
			return nil, err
		}
	}
	return c.derive(u, identifier, info.Identifier, info.NickIdentifier)
}

// findInstance returns the instance of infos whose identifier or nickname is identifier (the last one when
// several match), an error wrapping ErrUnknownInstance that lists the known ones when none does.
func (c *Client) findInstance(infos []InstanceInfo, identifier string) (*InstanceInfo, error) {
	var info *InstanceInfo
	known := make([]string, 0, len(infos))
	for i := range infos {
		known = append(known, infos[i].Identifier+" ("+infos[i].NickIdentifier+")")
		if infos[i].Identifier == identifier || infos[i].NickIdentifier == identifier {
			info = &infos[i]
		}
	}
	if info == nil {
		return nil, fmt.Errorf("%w %q at %s; known instances: %s", ErrUnknownInstance, identifier, c.ep.display, strings.Join(known, ", "))
	}
	return info, nil
}

// instanceURL is the URL of an instance without an entry in Config.InstanceURLs:
// scheme://node_name:port from get_all_instances_info, with this client's scheme (http for a unix socket).
// 0.10 reports no port: every instance then uses the HTTP port of the one reached (info's Port is set).
func (c *Client) instanceURL(info *InstanceInfo) (string, error) {
	if api := c.cachedAPI(); info.Port == 0 && api != nil && api.Era == EraAddress {
		info.Port, _ = strconv.Atoi(c.ep.port())
	}
	if info.NodeName == "" || info.Port == 0 {
		return "", fmt.Errorf("instance %s has no node name or port in get_all_instances_info: set its URL in instance_urls", info.Identifier)
	}
	scheme := c.ep.scheme
	if scheme == "unix" {
		scheme = "http"
	}
	return scheme + "://" + net.JoinHostPort(info.NodeName, strconv.Itoa(info.Port)), nil
}

// derive builds (or reuses) the client of URL u and caches it under keys.
func (c *Client) derive(u string, keys ...string) (*Client, error) {
	c.instMu.Lock()
	defer c.instMu.Unlock()
	for _, k := range keys {
		if ic, ok := c.instances[k]; ok {
			return ic, nil
		}
	}
	cfg := c.cfg
	cfg.URL = u
	if !strings.HasPrefix(strings.ToLower(u), "https://") {
		// The TLS settings of an https main URL do not apply to an http (or unix) instance URL.
		cfg.CAFile, cfg.Insecure = "", false
	}
	ep, err := cfg.normalize()
	if err != nil {
		return nil, err
	}
	var tr *http.Transport
	if ep.scheme == "unix" && ep.unixPath != c.ep.unixPath {
		// Another socket: the shared transport dials this client's one.
		if tr, err = newTransport(&cfg); err != nil {
			return nil, err
		}
	}
	ic := newClient(cfg, ep, c.sh, tr)
	for _, k := range keys {
		if k != "" {
			c.instances[k] = ic
		}
	}
	return ic, nil
}
