// Package contract checks the DigitalOcean simulator against DigitalOcean's
// own OpenAPI description (reference/digitalocean-openapi.yaml): every
// answer the simulator gives to the operations chapterctl uses must be one
// the real API's contract allows. It has only tests.
package contract
