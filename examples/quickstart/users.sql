-- The source table of the story (DESIGN.md), for MariaDB/MySQL. `kaskade quickstart` creates the
-- same table (in SQLite or PostgreSQL syntax when those are the source).
CREATE TABLE IF NOT EXISTS users (id INT AUTO_INCREMENT PRIMARY KEY, user_id VARCHAR(20), pwd VARCHAR(20), name VARCHAR(20), created_at DATETIME DEFAULT NOW());

INSERT INTO users (user_id, pwd, name) VALUES ('user1', 'user1111', 'User1 name');
