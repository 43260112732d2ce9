/* receive_deadline.c: see receive_deadline.h. */
#include "core/receive_deadline.h"

void receive_seen_init(struct receive_seen *seen)
{
	*seen = (struct receive_seen){.word = UINT64_MAX};
}

bool receive_overdue(struct receive_seen *seen, uint64_t word, int64_t now, const struct receive_limits *lim)
{
	enum receive_phase phase = receive_word_phase(word);
	bool first_look = word != seen->word;
	if (first_look) {
		seen->word = word;
		seen->since = now;
	}
	if (phase == RECEIVE_IDLE) {
		if (first_look) {
			seen->idle_gen = receive_word_generation(word);
			seen->idle_until = now + lim->idle_timeout_ns + RECEIVE_IDLE_SLACK_NS + lim->timeout_ns;
			seen->have_idle = true;
		}
		return now >= seen->idle_until;
	}
	if (phase != RECEIVE_REQUEST)
		return false;
	int64_t until = seen->since + lim->timeout_ns;
	if (seen->have_idle && seen->idle_gen == receive_word_generation(word) && seen->idle_until < until)
		until = seen->idle_until;
	return now >= until;
}
