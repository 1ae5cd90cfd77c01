// Package validators holds the attribute validators that the resources, data sources and the provider
// configuration of terraform-provider-supvisors share.
//
// Every validator skips null and unknown values: a value that is not known yet is checked again once it is
// (during apply at the latest). Error messages name the attribute, the bad value and what is accepted.
package validators
