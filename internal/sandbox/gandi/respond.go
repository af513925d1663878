package gandi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// apiError is an answer other than success: a status and the body Gandi
// sends with it. Handlers return it; writeError writes it.
type apiError struct {
	status int
	body   any
}

func (e *apiError) Error() string {
	raw, _ := json.Marshal(e.body)
	return fmt.Sprintf("gandi: %d %s", e.status, raw)
}

// errorBody is what most LiveDNS errors carry. libdns/gandi prints its
// code, not the HTTP status, so the code must be there.
type errorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Object  string `json:"object"`
	Cause   string `json:"cause"`
}

// validationBody is the other error shape, for schema validation: no code
// and no message, so libdns/gandi reports "LiveDNS returned a 0 ()".
type validationBody struct {
	Status string           `json:"status"`
	Errors []validationItem `json:"errors"`
}

type validationItem struct {
	Location    string `json:"location"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func coded(status int, object, message string) *apiError {
	return &apiError{status: status, body: errorBody{
		Code: status, Message: message, Object: object, Cause: http.StatusText(status)}}
}

func errDomainNotFound() *apiError {
	return coded(http.StatusNotFound, "HTTPNotFound", "The resource could not be found.")
}

func errForbidden() *apiError {
	return coded(http.StatusForbidden, "HTTPForbidden", "Access was denied to this resource.")
}

func errBadCredentials() *apiError {
	return coded(http.StatusUnauthorized, "HTTPUnauthorized",
		"The server could not verify that you authorized to access the document you requested. "+
			"Either you supplied the wrong credentials (e.g., bad api key), or your access token has expired")
}

// errNoCredentials answers a missing or garbled Authorization header.
// Its status is unverified (401 chosen); the body has no code, which is
// what made libdns/gandi print "returned a 0" (caddy-dns/gandi#11).
func errNoCredentials() *apiError {
	return &apiError{status: http.StatusUnauthorized, body: struct {
		Message string `json:"message"`
	}{"You must provide an access token or an API Key. See https://api.gandi.net/docs/authentication/"}}
}

func errRRSetNotFound(name, typ string) *apiError {
	return coded(http.StatusNotFound, "dns-record",
		fmt.Sprintf("Can't find the DNS record %s/%s in the zone", name, typ))
}

// errNameNotFound answers a DELETE of a name that has no record set; the
// text is modelled on the rrset one (unverified).
func errNameNotFound(name string) *apiError {
	return coded(http.StatusNotFound, "dns-record", fmt.Sprintf("Can't find the DNS record %s in the zone", name))
}

// errSnapshotNotFound answers an unknown snapshot id with the generic 404
// (Gandi's own text for it is unverified).
func errSnapshotNotFound() *apiError { return errDomainNotFound() }

func errBadRequest(message string) *apiError {
	return coded(http.StatusBadRequest, "HTTPBadRequest", message)
}

func errValidation(field, description string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: validationBody{Status: "error",
		Errors: []validationItem{{Location: "body", Name: field, Description: description}}}}
}

// errConflict answers a POST of an rrset that already exists (409 and its
// text are unverified).
func errConflict(name, typ string) *apiError {
	return coded(http.StatusConflict, "HTTPConflict",
		fmt.Sprintf("A DNS record %s/%s already exists in the zone", name, typ))
}

func errMethodNotAllowed(method string) *apiError {
	return coded(http.StatusMethodNotAllowed, "HTTPMethodNotAllowed",
		fmt.Sprintf("The method %s is not allowed for this resource.", method))
}

func errServer() *apiError {
	return coded(http.StatusInternalServerError, "HTTPInternalServerError",
		"The server has either erred or is incapable of performing the requested operation.")
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		status, raw = http.StatusInternalServerError, []byte(`{"code":500}`)
	}
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	rw.Write(raw)
}

// writeError writes an apiError; anything else is the simulator failing
// (the world could not be saved) and is answered as Gandi's own 500.
func writeError(rw http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = errServer()
	}
	writeJSON(rw, ae.status, ae.body)
}

type message struct {
	Message string `json:"message"`
}

// created is what every record write answers, create or replace alike.
func created(rw http.ResponseWriter, location string) {
	if location != "" {
		rw.Header().Set("Location", location)
	}
	writeJSON(rw, http.StatusCreated, message{"DNS Record Created"})
}

func domainHref(fqdn string) string  { return apiBase + "/domains/" + fqdn }
func recordsHref(fqdn string) string { return domainHref(fqdn) + "/records" }

// nameHref escapes the name as Gandi does: "@" is "%40".
func nameHref(fqdn, name string) string {
	return recordsHref(fqdn) + "/" + strings.ReplaceAll(url.PathEscape(name), "@", "%40")
}

func rrsetHref(fqdn, name, typ string) string { return nameHref(fqdn, name) + "/" + typ }

func snapshotHref(fqdn, id string) string { return domainHref(fqdn) + "/snapshots/" + id }
