#pragma once
// Errors of the provider role's own state (availabilities, reservations). The
// REST layer maps them to statuses: invalid input 422, unknown id 404.
#include <stdexcept>
#include <string>

namespace codex::sales {

class SalesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The request asks for something the rules of §5.1 refuse (a zero size, a
// total below what is in use, not enough quota, ...).
class InvalidAvailability : public SalesError {
 public:
  using SalesError::SalesError;
};

class UnknownAvailability : public SalesError {
 public:
  using SalesError::SalesError;
};

class UnknownReservation : public SalesError {
 public:
  using SalesError::SalesError;
};

// A reservation asked for more bytes than the availability has free (another
// sale took them first): the sale is ignored and the slot reprocessed.
class BytesOutOfBounds : public SalesError {
 public:
  using SalesError::SalesError;
};

}  // namespace codex::sales
